#!/bin/sh
# Prints the path of a Python 3.12+ interpreter, or explains and fails.
# Order: $PYTHON, pyenv's choice for .python-version, python3.13, python3.12, python3.
want_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for candidate in "$PYTHON" \
    "$(command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null)" \
    "$(ls -d "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | head -n1)" \
    python3.13 python3.12 python3; do
    [ -n "$candidate" ] || continue
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if want_ok "$path"; then echo "$path"; exit 0; fi
done
echo "error: no Python 3.12 or newer found. Install Python 3.12+ (e.g. 'pyenv install 3.12')" >&2
echo "       or point PYTHON at one: make PYTHON=/path/to/python3.12 run" >&2
exit 1
