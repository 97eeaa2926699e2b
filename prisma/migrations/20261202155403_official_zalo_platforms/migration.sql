-- AlterEnum: the official Zalo channels beside the zca-js personal account.
ALTER TYPE "Platform" ADD VALUE 'zalo_bot';
ALTER TYPE "Platform" ADD VALUE 'zalo_oa';
