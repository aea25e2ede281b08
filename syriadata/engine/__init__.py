"""The timeline engine: who held what when (``control.control_at``, ``control.timeline``,
``control.crossing_status_at``) and the vectorised look-ups at scale (``vectorised.panel``,
``vectorised.annotate``)."""
