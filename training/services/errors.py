"""The one exception the training services raise for a refused action, with a message a learner can read."""


class TrainingRefused(Exception):
    """The action is not allowed now (the window is closed, the attempts are used up...); str() says why."""
