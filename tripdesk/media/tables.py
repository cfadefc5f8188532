"""The media room's tables: face reports remembered per photo content."""

MIGRATIONS = [
    """
    CREATE TABLE media_faces (
        sha256 TEXT NOT NULL,
        threshold REAL NOT NULL,
        detector TEXT NOT NULL,
        count INTEGER,
        boxes TEXT NOT NULL,
        error TEXT,
        detected_at TEXT NOT NULL,
        PRIMARY KEY (sha256, threshold, detector)
    );
    """,
]
