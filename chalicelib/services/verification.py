"""A new signal's child, checked against the population register (BRP) while the BSN is at hand.

The BSN must be registered, the family name and birth date must agree with the register (compared
as people type them, ``domain.population``), else the request is refused (422) naming the field and
never what the register holds. When the register cannot be reached the signal is still accepted,
marked ``pending``: a signal is never lost to a slow dependency (``docs/brp.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.model import Address, Child, Pseudonym, Verification
from chalicelib.domain.population import RegisteredPerson, RegisterUnavailable, RegisterUse, disagreements
from chalicelib.domain.pseudonyms import Pseudonymiser
from chalicelib.domain.recheck import Recheck
from chalicelib.observability import count, logger
from chalicelib.ports_register import PopulationRegister, RecheckQueue


@dataclass(frozen=True)
class Checked:
    verification: Verification
    person: RegisteredPerson | None = None

    def address_pseudonym(self, pseudonymiser: Pseudonymiser, typed: Address) -> Pseudonym:
        """The registered address when the register gave one: that is where the child lives."""
        registered = self.person.address if self.person else None
        if registered is None:
            return pseudonymiser.address(typed)
        return pseudonymiser.address_parts(
            registered.postcode, registered.house_number, registered.house_letter, registered.house_number_suffix
        )

    def parent_pseudonyms(self, pseudonymiser: Pseudonymiser) -> tuple[Pseudonym, ...]:
        if self.person is None:
            return ()
        return tuple(pseudonymiser.child(bsn) for bsn in sorted(set(self.person.parent_bsns)))


def check_child(register: PopulationRegister | None, bsn: str, child: Child) -> Checked:
    """``InvalidInput`` when the register contradicts what was typed."""
    if register is None:
        return Checked(Verification.NOT_CHECKED)
    try:
        person = register.persons([bsn], RegisterUse.VERIFY).get(bsn)
    except RegisterUnavailable as exc:
        # Its message names the status at most, never a BSN or what the register holds.
        logger.warning("population register unavailable; signal accepted unverified", extra={"reason": str(exc)})
        count("SignalsUnverified")
        return Checked(Verification.PENDING)
    errors = disagreements(child, person)
    if errors:
        count("SignalsRefusedByRegister")
        raise InvalidInput(errors)
    return Checked(Verification.VERIFIED, person)


def queue_recheck(queue: RecheckQueue, recheck: Recheck) -> bool:
    """Queue a pending signal's recheck, or a failed subscription's retry; ``False`` (logged,
    counted) when the queue refused it.

    The signal stands either way: it stays as it is (``pending``, or its child unfollowed), as it
    would without the queue.
    """
    try:
        queue.send(recheck)
    except Exception as exc:
        logger.warning("recheck not queued; signal left as it is", extra={"reason": type(exc).__name__})
        count("RechecksNotQueued")
        return False
    return True
