"""A team's own `@webmethod` server, deliberately unlike the example APIs.

It has its own decorator (leaving one `__webmethod__` record), its own exception hierarchy,
its own tenant header and context variable, a result hook, a client-version middleware, a
second protocol served from an attribute of the implementation, and a protocol with no
routes. `registry` serves it through both sides with one `Conventions`.
"""
