"""Question understanding: a question becomes a typed ``QuestionPlan`` (see ``plan``)."""

from lcagent.query.analyser import Analyser, RuleAnalyser, analyse
from lcagent.query.plan import ANSWER_TYPES, INTENTS, AnswerType, ExpectedPlan, Intent, QuestionPlan

__all__ = ["analyse", "Analyser", "RuleAnalyser", "QuestionPlan", "ExpectedPlan", "Intent", "AnswerType", "INTENTS", "ANSWER_TYPES"]
