"""The built-in checks, one module per defect class; each module lists its checks in CHECKS."""
