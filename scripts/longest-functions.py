#!/usr/bin/env python3
"""Lists the longest function bodies in the C++ files git tracks (a rough brace count, not a
parser): the issue-12 guide is no function over ~150 lines and no file over ~800.
Usage: scripts/longest-functions.py [COUNT]"""
import re
import subprocess
import sys

DEFINITION = re.compile(r'\)\s*(const)?\s*(noexcept)?\s*(override)?\s*(->\s*[\w:<>]+\s*)?\{\s*$')
CONTROL = re.compile(r'\s*(if|for|while|switch|catch|else|do)\b')


def functions(path):
    depth, start, base, name = 0, None, 0, ''
    for number, line in enumerate(open(path, encoding='utf-8').read().split('\n'), 1):
        code = re.sub(r'"(\\.|[^"\\])*"', '""', line)
        code = re.sub(r"'(\\.|[^'\\])'", "''", code).split('//')[0]
        opens, closes = code.count('{'), code.count('}')
        if (start is None and opens > closes and DEFINITION.search(code) and not CONTROL.match(code)
                and not re.search(r'\]\s*\(', code)):
            start, base, name = number, depth, line.strip()[:90]
        depth += opens - closes
        if start is not None and depth <= base:
            yield number - start + 1, path, start, name
            start = None


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    files = subprocess.check_output(['git', 'ls-files', '*.cpp', '*.hpp'], text=True).split()
    found = sorted((f for path in files for f in functions(path)), reverse=True)
    for length, path, line, name in found[:count]:
        print(f'{length:5d}  {path}:{line}  {name}')


if __name__ == '__main__':
    main()
