-- "n/a" as a post-mortem's cause category: a root cause was found, and no category fits it (a
-- one-off). Publishing needs every part written or "n/a", the category included, and 0024's slug
-- CHECK keeps "n/a" out of cause_category, where the reports would count it as a cause that recurs.
-- So the choice is its own flag, and cause_category stays NULL: the reports, their rollups (0029)
-- and the search documents (0027) read that column alone and see no category, as they should.
ALTER TABLE postmortems
  ADD COLUMN cause_category_na boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT postmortems_category_or_na CHECK (NOT (cause_category_na AND cause_category IS NOT NULL));
