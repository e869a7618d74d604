"""The classroom game in the browser: ``escsim serve`` (needs the ``web`` extra).

- ``server.serve``: open the SQLite store, bind the port, print the URLs and the facilitator's
  secret, run the app with uvicorn;
- ``app.create_app``: the Starlette app (pages: ``team``, ``board``, ``facilitator``);
- ``store``: the games as their journals of actions, sessions and join codes, in SQLite;
- ``rooms``: the games in memory, each change applied by the engine and stored in one
  transaction;
- ``auth``: the facilitator's secret, join codes, session and CSRF tokens;
- ``views``: what each page shows, from the engine's calls; ``chart``: the index as SVG.

It drives the same engine as ``escsim play`` (sim.classroom.game) and adds nothing to it.
"""
