-- CreateEnum
CREATE TYPE "ImportStatus" AS ENUM ('pending', 'running', 'done', 'failed');

-- CreateTable
CREATE TABLE "imports" (
    "id" SERIAL NOT NULL,
    "format" VARCHAR(16) NOT NULL,
    "category" VARCHAR(64),
    "dry_run" BOOLEAN NOT NULL DEFAULT false,
    "file_name" VARCHAR(255) NOT NULL,
    "content" BYTEA,
    "created_by" INTEGER,
    "status" "ImportStatus" NOT NULL DEFAULT 'pending',
    "done" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER NOT NULL DEFAULT 0,
    "quizzes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "written" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "errors" JSONB NOT NULL DEFAULT '[]',
    "request_id" VARCHAR(128),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "imports_pkey" PRIMARY KEY ("id")
);
