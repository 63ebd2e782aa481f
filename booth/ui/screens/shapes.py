"""Small geometry and line drawings more than one screen uses (rows, columns, corners, the look faces)."""

from __future__ import annotations

import math

import pygame
from pygame import Rect

from booth.ui.layout import Layout


def corners(surf: pygame.Surface, rect: Rect, colour: tuple[int, int, int], width: int) -> None:
    """The four corners of a frame, like a camera's viewfinder: the photo's edges without boxing the face in."""
    arm = max(8, min(rect.width, rect.height) // 6)
    for (x, y), (dx, dy) in (((rect.left, rect.top), (1, 1)), ((rect.right - 1, rect.top), (-1, 1)),
                             ((rect.left, rect.bottom - 1), (1, -1)), ((rect.right - 1, rect.bottom - 1), (-1, -1))):
        if not surf.get_rect().collidepoint(x, y):
            continue  # a corner off the screen: no stray arm pointing in from the edge
        pygame.draw.line(surf, colour, (x, y), (x + dx * arm, y), width)
        pygame.draw.line(surf, colour, (x, y), (x, y + dy * arm), width)


def centre_box(L: Layout) -> Rect:
    """The middle half of the screen: one message alone on it (goodbye, a fault)."""
    area = L.inner()
    return Rect(area.left + L.margin, area.top + area.height // 4, area.width - 2 * L.margin, area.height // 2)


def split(box: Rect, fractions: tuple[float, ...]) -> list[Rect]:
    """Rows of ``box`` whose heights are the given fractions."""
    total = sum(fractions) or 1.0
    rows, y = [], box.top
    for f in fractions:
        h = round(box.height * f / total)
        rows.append(Rect(box.left, y, box.width, h))
        y += h
    return rows


def split_h(box: Rect, fractions: tuple[float, ...]) -> list[Rect]:
    """Columns of ``box`` whose widths are the given fractions."""
    total = sum(fractions) or 1.0
    cols, x = [], box.left
    for f in fractions:
        w = round(box.width * f / total)
        cols.append(Rect(x, box.top, w, box.height))
        x += w
    return cols


def face_glyph(surf: pygame.Surface, box: Rect, look: str, colour: tuple[int, int, int]) -> None:
    """A simple line face for each look: the smile, the steady gaze, the look aside."""
    side = min(box.width, box.height)
    r = side // 2
    c = box.center
    w = max(2, side // 22)
    pygame.draw.circle(surf, colour, c, r, width=w)
    eye_dx, eye_y, er = r // 3, c[1] - r // 5, max(2, side // 18)
    shift = -r // 6 if look == "contemplative" else 0
    for sx in (-eye_dx, eye_dx):
        pygame.draw.circle(surf, colour, (c[0] + sx + shift, eye_y), er)
    mouth = Rect(0, 0, r, r // 2)
    mouth.center = (c[0], c[1] + r // 3)
    if look == "smile":
        pygame.draw.arc(surf, colour, mouth.move(0, -r // 6), math.pi * 1.1, math.pi * 1.9, w)
    elif look == "serious":
        pygame.draw.line(surf, colour, (mouth.left + r // 8, mouth.centery), (mouth.right - r // 8, mouth.centery), w)
    else:
        pygame.draw.line(surf, colour, (mouth.left + r // 4, mouth.centery + r // 20),
                         (mouth.right - r // 6, mouth.centery - r // 20), w)
