"""Reading and writing image files (Pillow); Qt conversion lives in qt_convert only."""
