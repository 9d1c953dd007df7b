"""Steps the training journeys share: answering the quiz attempt on the page."""

from training.models import Option


def answer_quiz(page, attempt, *, right: bool) -> None:
    """Tick every right option of each drawn question (or one wrong option each) and submit."""
    for qid in attempt.question_ids:
        options = Option.objects.filter(question_id=qid, correct=right)
        for option in options[: (None if right else 1)]:
            page.locator(f'input[name="q{qid}"][value="{option.pk}"]').check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_load_state()
