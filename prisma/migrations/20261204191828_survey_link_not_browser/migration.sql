-- A survey's web link stands for the resident, not for the first browser that answered: the
-- browser's claim on the response is no longer kept.
ALTER TABLE "SurveyResponse" DROP COLUMN "webClaim";
