"""The view of a document: renders the composite, zooms and pans, forwards pointer input."""
