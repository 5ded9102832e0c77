// Placeholder so the target builds; S2 fills it.
