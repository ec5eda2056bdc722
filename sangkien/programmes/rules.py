"""Rules of programmes (django-rules): "a phase of this programme is open now".

``rules.test_rule("programmes.phase_is_open", None, programme)`` in code,
``{% test_rule "programmes.phase_is_open" user programme %}`` in templates.
"""

from __future__ import annotations

import rules

from sangkien.programmes.predicates import phase_is_open

rules.add_rule("programmes.phase_is_open", phase_is_open)
