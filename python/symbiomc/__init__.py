"""symbiomc from Python: the C++ studies of the `symbiomc` command, returning dicts.

Cases (the same files, checks and results as the command line)::

    symbiomc.balance("cases/biomass")                               # balance --format json
    symbiomc.uncertainty("cases/biomass", "distributions/biomass.csv", runs=100000)  # summary.json
    symbiomc.sensitivity("cases/biomass", "distributions/biomass.csv", method="sobol")  # sobol.json

Your own model, SALib's way (problem dict in, SALib's result keys out, plus intervals)::

    Si = symbiomc.sobol(func, problem, base_runs=2**14)             # Si["S1"], Si["ST_conf"], ...
    Si = symbiomc.morris(func, problem, trajectories=100)           # Si["mu_star"], ...
    Si = symbiomc.shapley(func, problem, permutations=1000)         # Si["Sh"], ...

Bad input raises InputError (a ValueError) with the command line's message (file:line, key or
option named); an impossible request raises ModelError (a RuntimeError). docs/python.md has more.
"""

from ._core import InputError, ModelError, __version__
from .cases import balance, sensitivity, uncertainty
from .own_model import morris, shapley, sobol

__all__ = [
    "InputError",
    "ModelError",
    "__version__",
    "balance",
    "morris",
    "sensitivity",
    "shapley",
    "sobol",
    "uncertainty",
]
