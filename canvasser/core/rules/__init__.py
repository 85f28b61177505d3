"""The drive's rules on top of the file: the campaign, outcomes, visits, people, groups, figures and reports' numbers."""
