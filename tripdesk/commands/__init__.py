"""Each module runs one `tripdesk` command: `run(args) -> exit code`."""
