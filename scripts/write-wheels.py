#!/usr/bin/env python3
"""Writes tiny pure-Python wheels: the one wheel writer of the demo artifacts, the tests and the benchmarks.

usage: write-wheels.py OUTDIR < SPECS.json
SPECS: [{"name": "Foo_Bar.baz", "version": "1.0rc1", "summary"?: "...", "description"?: "...", "body"?: "python source"}]

Standard library only; byte-for-byte reproducible (fixed zip times and order). The distribution name goes
into METADATA as written; file, module and dist-info names are escaped as the wheel spec says.
"""
import base64, hashlib, json, os, re, sys, zipfile


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def write_wheel(out, spec):
    name, version = spec["name"], spec["version"]
    dist = re.sub(r"[-_.]+", "_", name)
    mod = dist.lower()
    info = "%s-%s.dist-info" % (dist, version)
    metadata = "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\n" % (name, version, spec.get("summary", "gitfleet test package"))
    if spec.get("description"):
        metadata += "\n%s\n" % spec["description"]
    files = [
        ("%s/__init__.py" % mod, "__version__ = %r\n%s" % (version, spec.get("body", ""))),
        ("%s/METADATA" % info, metadata),
        ("%s/WHEEL" % info, "Wheel-Version: 1.0\nGenerator: gitfleet write-wheels.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        ("%s/top_level.txt" % info, mod + "\n"),
    ]
    record = [record_line(p, s.encode()) for p, s in files] + ["%s/RECORD,," % info]
    files.append(("%s/RECORD" % info, "\n".join(record) + "\n"))
    path = os.path.join(out, "%s-%s-py3-none-any.whl" % (dist, version.replace("-", "_")))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for p, s in files:
            zi = zipfile.ZipInfo(p, date_time=(1980, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, s.encode())


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__.strip())
    os.makedirs(argv[1], exist_ok=True)
    for spec in json.load(sys.stdin):
        write_wheel(argv[1], spec)


if __name__ == "__main__":
    main(sys.argv)
