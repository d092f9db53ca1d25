DROP INDEX disclosures_public_newest;
