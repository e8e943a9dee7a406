"""Default configuration files shipped with the package (the repository folder config/)."""
