"""Human-rating studies: blinded sampling of run outputs, a rating form, and the analysis of the ratings
(agreement, significance, and how well automatic metrics agree with people)."""
