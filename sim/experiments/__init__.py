"""Experiments over uncertain inputs: uncertainties as data, designs, global sensitivity
(SALib) and scenario discovery (PRIM, CART).

    uncertainties  what varies, over which range and distribution (files, --params, --all)
    designs        the points to run: Sobol', Morris, FAST for sensitivity; LHS for exploration
    outcomes       outcome expressions (a safe small grammar) and per-point summaries
    runner         the points through the model, on common random numbers, on any executor
    sensitivity    SALib's indices with intervals and replicate noise (report: its summary)
    explore        an experiment folder: the inputs and outcomes of every point and replicate
    discovery      PRIM and CART boxes over an experiment's inputs

None of it reads the model's inside: points become keyword overrides and situation values of
``EscalationModel``, and results are read from outcome tables.
"""
