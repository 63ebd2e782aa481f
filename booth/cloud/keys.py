"""Where everything lives in the bucket: one layout, used by `booth sync` and `booth web --cloud`.

    <prefix><booth>/<token>/retouched.jpg
    <prefix><booth>/<token>/original.jpg
    <prefix><booth>/<token>/meta.json    written last: the photo exists in the bucket once this does
    <prefix><booth>/<token>/pending      written first, removed after meta.json: "on its way"
    <prefix><booth>/deleted/<token>      a guest deleted it on the cloud page: the booth deletes its copy
    <prefix><booth>/visits/<visit>/<token>  the photo belongs to that visit (/v/<visit>): written with
                                         "pending", deleted after the photo's other objects

Each booth writes only under its own ``<prefix><booth>/`` (a least-privilege key
can say so), and tokens are 144 random bits, so a fleet shares one bucket.
"""

from __future__ import annotations

from dataclasses import dataclass

KIND_FILES = {"retouched": "retouched.jpg", "original": "original.jpg"}
META = "meta.json"
PENDING = "pending"
DELETED = "deleted"
VISITS = "visits"


@dataclass(frozen=True)
class Layout:
    prefix: str  # "" or ending in "/"

    def booth_root(self, booth: str) -> str:
        return f"{self.prefix}{booth}/"

    def photo(self, booth: str, token: str, name: str) -> str:
        return f"{self.prefix}{booth}/{token}/{name}"

    def photo_keys(self, booth: str, token: str, visit: str | None = None) -> list[str]:
        """Every object of a photo, meta.json first (deleting it first makes the photo unknown at once);
        its visit's marker last, when it has a visit."""
        return [self.photo(booth, token, n) for n in (META, *KIND_FILES.values(), PENDING)] + (
            [self.visit(booth, visit, token)] if visit else [])

    def visit(self, booth: str, visit: str, token: str) -> str:
        return f"{self.prefix}{booth}/{VISITS}/{visit}/{token}"

    def visit_folder(self, booth: str, visit: str) -> str:
        return f"{self.prefix}{booth}/{VISITS}/{visit}/"

    def deletion(self, booth: str, token: str) -> str:
        return f"{self.prefix}{booth}/{DELETED}/{token}"

    def deletions(self, booth: str) -> str:
        return f"{self.prefix}{booth}/{DELETED}/"
