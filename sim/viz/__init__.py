"""``escsim viz``: Mesa's SolaraViz page to explore one scenario in the browser.

- ``sim.viz.params``: the model the page starts with and the parameters it offers (variant menu,
  seed and shared-weight sliders), in the form SolaraViz takes; plain Python, no Solara.
- ``sim.viz.app``: the Solara page (SolaraViz with the plots and the event log).
- ``sim.viz.server``: starts Solara's server on that page (what ``escsim viz`` calls).

Solara and Mesa's visualization come with the optional ``viz`` extra; only ``sim.viz.app`` and
``sim.viz.server.serve`` import them, so the rest of escsim never pays for them.
"""
