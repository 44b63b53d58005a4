using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NovaBrain.Logging.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class AuditActor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Actor",
                table: "AuditEntries",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_Actor_OccurredAt",
                table: "AuditEntries",
                columns: new[] { "Actor", "OccurredAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditEntries_Actor_OccurredAt",
                table: "AuditEntries");

            migrationBuilder.DropColumn(
                name: "Actor",
                table: "AuditEntries");
        }
    }
}
