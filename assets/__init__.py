"""Demo material and shared styles, shipped inside the package as tripdesk.assets."""
