"""Documents for people outside the service (HTTP edge): the weekly lägesbild as an accessible PDF."""
