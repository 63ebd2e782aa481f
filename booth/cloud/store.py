"""The bucket, through boto3: checked uploads, and every S3 failure phrased as one line for staff.

boto3 rather than hand-written S3 requests: it signs (SigV4) and speaks every
provider's dialect (AWS, R2, B2, Wasabi, Garage, SeaweedFS, Ceph, MinIO), and
takes credentials the way every S3 tool does ($AWS_ACCESS_KEY_ID /
$AWS_SECRET_ACCESS_KEY, ~/.aws/credentials), never from booth.toml.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError

from booth.config import CloudConfig
from booth.cloud.keys import Layout


class StoreError(Exception):
    """The bucket could not be used; the message is the one line staff see."""


# S3 error codes (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html) → what to do about them.
_CREDENTIALS = ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken",
                "403", "Forbidden")
_MISSING = ("NoSuchBucket",)


@dataclass
class Store:
    """One bucket and prefix; a thin, typed face over a boto3 client."""

    cloud: CloudConfig
    client: Any
    layout: Layout

    @classmethod
    def open(cls, cloud: CloudConfig, *, timeout_s: float = 10.0) -> Store:
        # boto3's own retries would hide an outage for minutes; `booth sync` backs off itself.
        config = BotoConfig(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=timeout_s,
                            read_timeout=timeout_s * 3, s3={"addressing_style": "path"})
        try:
            client = boto3.session.Session().client(
                "s3", endpoint_url=cloud.endpoint_url or None, region_name=cloud.region or None, config=config)
        except BotoCoreError as exc:
            raise StoreError(f"cloud: cannot set up S3: {exc}") from None
        return cls(cloud, client, Layout(cloud.prefix))

    @property
    def where(self) -> str:
        return f'bucket "{self.cloud.bucket}" at {self.cloud.endpoint_url or "AWS"}'

    def explain(self, exc: BaseException) -> str:
        """One line: what is wrong and what to do."""
        if isinstance(exc, NoCredentialsError):
            return (f"cloud: no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                    f"(or a shared credentials file) for booth sync")
        if isinstance(exc, EndpointConnectionError):
            return f"cloud: cannot reach {self.cloud.endpoint_url or 'AWS S3'} (offline, or a wrong [cloud] endpoint_url); retrying"
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in _MISSING:
                return f"cloud: the {self.where} does not exist: create it, or fix [cloud] bucket"
            if code in _CREDENTIALS:
                return (f"cloud: the {self.where} refused the credentials ({code}): check AWS_ACCESS_KEY_ID / "
                        "AWS_SECRET_ACCESS_KEY and the key's policy")
            return f"cloud: the {self.where} answered {code or 'an error'}: {exc.response.get('Error', {}).get('Message', '')}".rstrip(": ")
        if isinstance(exc, StoreError):
            return str(exc)
        return f"cloud: {type(exc).__name__}: {exc}"

    def check(self) -> None:
        """The bucket exists and the credentials work (HeadBucket)."""
        self.client.head_bucket(Bucket=self.cloud.bucket)

    def etag(self, key: str) -> str | None:
        """The object's ETag without quotes, None when it does not exist."""
        try:
            head = self.client.head_object(Bucket=self.cloud.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return str(head["ETag"]).strip('"')

    def has(self, key: str, data: bytes) -> bool:
        """The object is there with exactly these bytes (its ETag is their MD5)."""
        return self.etag(key) == hashlib.md5(data).hexdigest()  # noqa: S324 - S3's content check

    def put(self, key: str, data: bytes, content_type: str, *, check_first: bool = True) -> bool:
        """Upload unless the same bytes are already there; False when nothing had to be sent.

        Content-MD5 makes the store refuse bytes damaged on the way; the ETag
        it answers (the MD5 of a single-part upload) is compared as well.
        ``check_first=False`` skips the HEAD where the caller knows better.
        """
        digest = hashlib.md5(data)  # noqa: S324 - S3's content check, not security
        if check_first and self.etag(key) == digest.hexdigest():
            return False
        answer = self.client.put_object(Bucket=self.cloud.bucket, Key=key, Body=data, ContentType=content_type,
                                        ContentMD5=base64.b64encode(digest.digest()).decode())
        if str(answer.get("ETag", "")).strip('"') != digest.hexdigest():
            raise StoreError(f"cloud: {key} arrived different from what was sent (ETag mismatch); retrying")
        return True

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.cloud.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def get_json(self, key: str) -> dict[str, Any] | None:
        data = self.get(key)
        if data is None:
            return None
        try:
            value = json.loads(data)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def delete(self, keys: list[str]) -> None:
        """Delete each key in order (one request each: the order matters, and S3 deletes are idempotent)."""
        for key in keys:
            self.client.delete_object(Bucket=self.cloud.bucket, Key=key)

    def list(self, prefix: str, *, delimiter: str = "") -> tuple[list[str], list[str]]:
        """(keys, common prefixes) under prefix, all pages."""
        keys: list[str] = []
        folders: list[str] = []
        args = {"Bucket": self.cloud.bucket, "Prefix": prefix, **({"Delimiter": delimiter} if delimiter else {})}
        for page in self.client.get_paginator("list_objects_v2").paginate(**args):
            keys += [o["Key"] for o in page.get("Contents", [])]
            folders += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        return keys, folders
