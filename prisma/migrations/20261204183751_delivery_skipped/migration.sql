-- A delivery not attempted on purpose (a Zalo OA subscriber outside the 7-day answer window):
-- neither sent nor failed, its reason in "error".
ALTER TYPE "DeliveryStatus" ADD VALUE 'skipped';
