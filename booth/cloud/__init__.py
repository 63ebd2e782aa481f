"""Photos through S3-compatible storage ([cloud]): `booth sync` uploads, `booth web --cloud` serves.

Only these modules import boto3 (booth.cloud.store), and only the `booth sync`
and `booth web --cloud` processes load them: the booth process, which must not
reach the network, never does. ``keys`` and ``status`` are plain Python so the
staff page and `booth doctor` can read the sync status without boto3.
"""
