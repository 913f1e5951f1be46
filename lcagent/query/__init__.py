"""Question understanding: a question becomes a typed ``QuestionPlan`` (see ``plan``)."""

from lcagent.query.plan import ANSWER_TYPES, INTENTS, AnswerType, ExpectedPlan, Intent, QuestionPlan

__all__ = ["QuestionPlan", "ExpectedPlan", "Intent", "AnswerType", "INTENTS", "ANSWER_TYPES"]
