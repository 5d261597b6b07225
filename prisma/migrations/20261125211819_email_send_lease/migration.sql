-- AlterTable
ALTER TABLE "email_messages" ADD COLUMN     "lease_until" TIMESTAMP(3);
