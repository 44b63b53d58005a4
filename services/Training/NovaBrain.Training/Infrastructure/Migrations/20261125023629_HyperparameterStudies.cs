using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NovaBrain.Training.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class HyperparameterStudies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "studies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Owner = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Template = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    TemplateVersion = table.Column<int>(type: "integer", nullable: false),
                    Hyperparameters = table.Column<string>(type: "jsonb", nullable: false),
                    SearchSpace = table.Column<string>(type: "jsonb", nullable: false),
                    Objective = table.Column<string>(type: "jsonb", nullable: false),
                    Sampler = table.Column<string>(type: "jsonb", nullable: false),
                    Pruner = table.Column<string>(type: "jsonb", nullable: true),
                    MaxTrials = table.Column<int>(type: "integer", nullable: false),
                    TimeLimit = table.Column<TimeSpan>(type: "interval", nullable: true),
                    Parallelism = table.Column<int>(type: "integer", nullable: false),
                    Dataset = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    LabelColumn = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ModelName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Device = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: true),
                    State = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    EndReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LeaseOwner = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    LeaseExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_studies", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "study_trials",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    StudyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Hyperparameters = table.Column<string>(type: "jsonb", nullable: false),
                    State = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    JobId = table.Column<Guid>(type: "uuid", nullable: true),
                    ObjectiveValue = table.Column<double>(type: "double precision", nullable: true),
                    IntermediateValues = table.Column<string>(type: "jsonb", nullable: false),
                    JudgedEpoch = table.Column<int>(type: "integer", nullable: false),
                    ModelVersion = table.Column<int>(type: "integer", nullable: true),
                    FailureReason = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_study_trials", x => x.Id);
                    table.ForeignKey(
                        name: "FK_study_trials_studies_StudyId",
                        column: x => x.StudyId,
                        principalTable: "studies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_studies_State_CreatedAt",
                table: "studies",
                columns: new[] { "State", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_study_trials_StudyId_Number",
                table: "study_trials",
                columns: new[] { "StudyId", "Number" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "study_trials");

            migrationBuilder.DropTable(
                name: "studies");
        }
    }
}
