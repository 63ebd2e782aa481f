"""The display's type: DejaVu Sans from the system, big and cached by size; Noto Sans CJK for CJK.

The font comes from the Debian package fonts-dejavu-core (found through
fontconfig's ``fc-match``, then the known install paths), never from the
repository. Without it the booth still runs on pygame's bundled default font
and says so, once, in the log and on the attract screen.

DejaVu Sans draws Latin, Greek and Cyrillic. Japanese, Chinese and Korean
come from fonts-noto-cjk's Noto Sans CJK, picked per language at draw time
(:meth:`Fonts.get`'s ``language``). Its files are collections (.ttc) of one
face per region, the same Han character drawn the Japanese, Simplified
Chinese, Korean or Traditional way. pygame-ce 2.5.8's ``pygame.font.Font``
always opens a collection's first face (Japanese) and takes no face index,
so a Chinese guest would read Han characters in Japanese shapes (直, 骨, 户
differ): the collection is handed to it through :class:`_Face`, which reads
the file with the wanted face listed first in the collection's header.
"""

from __future__ import annotations

import io
import logging
import shutil
import struct
import subprocess
from functools import lru_cache
from pathlib import Path

import pygame

from booth.i18n import LANGUAGES

log = logging.getLogger(__name__)

KNOWN_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
MISSING = "Display font missing: install fonts-dejavu-core (using a plain fallback)"


def _fc_match(pattern: str) -> Path | None:
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(out.stdout.strip())
    # fc-match always answers with *something*; only take it if it is DejaVu.
    return path if out.returncode == 0 and path.is_file() and "DejaVu" in path.name else None


def find_font(configured: str = "", known_dirs: tuple[Path, ...] = KNOWN_DIRS,
              use_fontconfig: bool = True) -> tuple[Path | None, Path | None, str]:
    """(regular, bold, problem) — paths or None; problem is "" when all is well."""
    if configured:
        path = Path(configured).expanduser()
        if path.is_file():
            return path, path, ""
        problem = f"Display font {configured} not found ([display] font); using DejaVu Sans"
        log.error("%s", problem)
    else:
        problem = ""
    regular = _fc_match("DejaVu Sans:style=Book") if use_fontconfig else None
    bold = _fc_match("DejaVu Sans:style=Bold") if use_fontconfig else None
    for folder in known_dirs:
        if regular is None and (folder / REGULAR).is_file():
            regular = folder / REGULAR
        if bold is None and (folder / BOLD).is_file():
            bold = folder / BOLD
    if regular is None:
        log.warning("%s", MISSING)
        return None, None, MISSING
    return regular, bold or regular, problem


# ---------------------------------------------------------------- CJK: fonts-noto-cjk

CJK_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),  # Debian, Raspberry Pi OS (fonts-noto-cjk)
    Path("/usr/share/fonts/noto-cjk"),  # Fedora, Arch
    Path("/usr/share/fonts/OTF"),
    Path("/usr/local/share/fonts"),
)
CJK_REGULAR, CJK_BOLD = "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"
# Each CJK language's face of the collection: its own region's shapes for the Han characters.
CJK_FAMILY = {"ja": "Noto Sans CJK JP", "zh": "Noto Sans CJK SC", "ko": "Noto Sans CJK KR"}
CJK_MISSING = "CJK font missing: install fonts-noto-cjk (Japanese, Chinese and Korean cannot be drawn)"


def find_cjk(known_dirs: tuple[Path, ...] = CJK_DIRS, use_fontconfig: bool = True) -> tuple[Path | None, Path | None]:
    """(regular, bold) Noto Sans CJK collections, or (None, None) when fonts-noto-cjk is not installed."""
    found: dict[str, Path] = {}
    if use_fontconfig and shutil.which("fc-match"):
        for name, style in ((CJK_REGULAR, "Regular"), (CJK_BOLD, "Bold")):
            try:
                out = subprocess.run(["fc-match", "-f", "%{file}", f"Noto Sans CJK JP:style={style}"],
                                     capture_output=True, text=True, timeout=5)
            except (OSError, subprocess.SubprocessError):
                continue
            path = Path(out.stdout.strip())
            if out.returncode == 0 and path.is_file() and path.name == name:  # fc-match answers something always
                found[name] = path
    for folder in known_dirs:
        for name in (CJK_REGULAR, CJK_BOLD):
            if name not in found and (folder / name).is_file():
                found[name] = folder / name
    regular = found.get(CJK_REGULAR)
    return regular, found.get(CJK_BOLD, regular)


class _Face(io.RawIOBase):
    """A font collection (.ttc) read as if face ``index`` were its first.

    Hand-written because pygame-ce's Font opens face 0 and SDL_ttf's TTF_OpenFontIndex is not
    exposed. A collection's header is 'ttcf', a version, the face count and one offset per face
    (OpenType spec, "Font Collections"); every table offset inside is from the file's start,
    so swapping two entries of that list is all it takes. The rest is read from the file as it is.
    """

    def __init__(self, path: Path, index: int) -> None:
        super().__init__()
        self._file = path.open("rb")
        head = self._file.read(12)
        if head[:4] != b"ttcf":
            raise ValueError(f"{path} is not a font collection")
        count = struct.unpack(">I", head[8:12])[0]
        if not 0 <= index < count:
            raise ValueError(f"{path} has {count} faces, not a face {index}")
        offsets = list(struct.unpack(f">{count}I", self._file.read(4 * count)))
        offsets[0], offsets[index] = offsets[index], offsets[0]
        self._head = head + struct.pack(f">{count}I", *offsets)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self._pos = offset
        elif whence == io.SEEK_CUR:
            self._pos += offset
        else:
            self._pos = self._file.seek(0, io.SEEK_END) + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        self._file.seek(self._pos)
        n = self._file.readinto(buffer) or 0
        head = len(self._head)
        if self._pos < head and n:
            k = min(head - self._pos, n)
            memoryview(buffer)[:k] = self._head[self._pos:self._pos + k]
        self._pos += n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


def face_count(path: Path) -> int:
    with path.open("rb") as fp:
        head = fp.read(12)
    return struct.unpack(">I", head[8:12])[0] if head[:4] == b"ttcf" else 1


@lru_cache(maxsize=16)
def face_index(path: Path, family: str) -> int:
    """Which face of the collection ``path`` is ``family`` ("Noto Sans CJK SC"); 0 when none is.

    Read from the faces' own names (as pygame reads them), not assumed: the order of the faces
    is the packager's choice (Debian's regular collection has JP, KR, SC, TC, HK).
    """
    if not pygame.font.get_init():
        pygame.font.init()
    for i in range(face_count(path)):
        try:
            if pygame.font.Font(_Face(path, i), 12).name == family:
                return i
        except (OSError, ValueError, pygame.error):
            break
    log.warning("%s has no face %s; using its first", path, family)
    return 0


class Fonts:
    """pygame fonts by pixel size and language; one file for body text, its bold for headings."""

    def __init__(self, regular: Path | None, bold: Path | None, problem: str = "",
                 cjk: tuple[Path | None, Path | None] = (None, None)) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self.regular, self.bold, self.problem = regular, bold, problem
        self.cjk_regular, self.cjk_bold = cjk

    @classmethod
    def from_config(cls, configured: str = "", languages: tuple[str, ...] | list[str] = ("en",)) -> Fonts:
        regular, bold, problem = find_font(configured)
        cjk = find_cjk()
        if cjk[0] is None and any(LANGUAGES[c].script == "cjk" for c in languages if c in LANGUAGES):
            log.warning("%s", CJK_MISSING)
            problem = f"{problem}; {CJK_MISSING}" if problem else CJK_MISSING
        return cls(regular, bold, problem, cjk)

    def get(self, px: int, bold: bool = False, language: str = "en") -> pygame.font.Font:
        """The font for text in ``language`` (its script decides the file; CJK its region's face)."""
        size = max(8, int(px))
        family = CJK_FAMILY.get(language)
        if family is not None and self.cjk_regular is not None:
            path = (self.cjk_bold if bold else self.cjk_regular) or self.cjk_regular
            return _collection_font(path, face_index(path, family), size)
        return _font(self.bold if bold else self.regular, size, bold and self.bold is None)


@lru_cache(maxsize=64)
def _collection_font(path: Path, index: int, px: int) -> pygame.font.Font:
    # A face other than the first through _Face; the first straight from the file.
    return pygame.font.Font(_Face(path, index) if index else str(path), px)


@lru_cache(maxsize=128)
def _font(path: Path | None, px: int, fake_bold: bool) -> pygame.font.Font:
    font = pygame.font.Font(str(path) if path else None, px)
    if fake_bold:
        font.set_bold(True)
    return font
