-- AlterTable
ALTER TABLE "ClassifierModel" ADD COLUMN     "builtinAccuracy" DOUBLE PRECISION;
