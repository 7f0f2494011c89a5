"""Quality estimation: scores of meaning that join the rule checks' verdict.

Three optional scorers (`check.qe`), each run only on the segments the rule checks did not
already flag:

* ``confidence`` (naql.qa.qe.confidence): the length-normalised log-probability of the final
  Arabic under an installed CTranslate2 model (forced decoding, so any engine's output is scored),
  flagged when it falls in the lowest `check.qe_tail` of that model's running distribution on this
  site (naql.qa.qe.stats), once `check.qe_min_scores` scores are known;
* ``roundtrip`` (naql.qa.qe.roundtrip): back-translation by an installed Arabic→source model,
  compared with the source (chrF, calibrated the same way; names and numbers not brought back);
* ``llm`` (naql.qa.qe.judge): an MQM annotation by an LLM behind an `openai` engine, its error
  spans located in the translation.

`Estimator` (naql.qa.qe.estimator) runs them for the check stage.
"""

from naql.qa.qe.estimator import Assessment, Estimator, Flag, eligible
from naql.qa.qe.roundtrip import chrf
from naql.qa.qe.settings import SCORERS, QESettings

__all__ = ["SCORERS", "Assessment", "Estimator", "Flag", "QESettings", "chrf", "eligible"]
