"""Knowledge base: taxonomy, practices, case studies, schemes, experts, events, organisations."""
