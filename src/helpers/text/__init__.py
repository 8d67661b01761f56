"""Facts of Vietnamese and English text that every step shares: normal forms (`normalise`),
dates, protected spans (codes, URLs, numbers), names, the glossary, cited documents."""
