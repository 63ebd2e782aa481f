"""Photo: from a full-resolution burst to the headshot the subject takes home.

- :mod:`booth.photo.pipeline`: ``PhotoPipeline`` (burst -> ``ProcessedPhoto``), the entry point;
- :mod:`booth.photo.bestshot`: which frame to keep, and why;
- :mod:`booth.photo.face`: the face geometry all steps share (eye line, chin, crown);
- :mod:`booth.photo.crop`: the headshot crop presets;
- :mod:`booth.photo.retouch`: the retouch levels, built from
  :mod:`booth.photo.tone` (exposure, white balance, local contrast) and
  :mod:`booth.photo.skin` (skin mask and smoothing);
- :mod:`booth.photo.encode`: JPEG bytes.
"""
