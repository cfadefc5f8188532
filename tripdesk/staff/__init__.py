"""The staff room: colleagues who may approve posts, each with a PIN kept only as a slow hash."""
