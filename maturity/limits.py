"""What a maturity model's fields may hold: the database columns (models.py) and the
model file's validation (modelfile.py) both read these numbers."""

KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*$"

LEVEL_VALUE_MIN, LEVEL_VALUE_MAX = -100, 100
MODEL_SLUG_LENGTH, VERSION_LENGTH, NAME_LENGTH = 80, 20, 200
LEVEL_NAME_LENGTH, CATEGORY_SLUG_LENGTH, KEY_LENGTH = 80, 50, 120
# A check's key is a slug, unique in its model; its message is a question to the team.
CHECK_KEY_LENGTH, CHECK_MESSAGE_LENGTH = 80, 500
