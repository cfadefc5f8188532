"""Photos between the pool and X: preparation, thumbnails, faces found and blurred."""
