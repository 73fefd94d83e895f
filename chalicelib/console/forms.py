"""The console's forms as models, each with the Dutch message shown next to a field that fails."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationInfo, field_validator

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")]


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    csrf: str


class SignInForm(_Form):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


SIGN_IN_MESSAGES = {"username": "Vul uw gebruikersnaam in.", "password": "Vul uw wachtwoord in."}


class NewPasswordForm(_Form):
    password: Annotated[str, StringConstraints(min_length=12, max_length=256)]
    confirmation: Annotated[str, StringConstraints(max_length=256)]

    @field_validator("confirmation")
    @classmethod
    def same_twice(cls, confirmation: str, info: ValidationInfo) -> str:
        if "password" in info.data and confirmation != info.data["password"]:
            raise ValueError("the passwords differ")
        return confirmation


NEW_PASSWORD_MESSAGES = {
    "password": "Kies een wachtwoord van minstens 12 tekens.",
    "confirmation": "Typ hetzelfde wachtwoord nog een keer.",
}


class CodeForm(_Form):
    code: Code


CODE_MESSAGES = {"code": "Vul de 6 cijfers in die de app nu toont."}


class SignOutForm(_Form):
    pass
