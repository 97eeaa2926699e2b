// The communes' time zone. Each Commune row carries its own (`Commune.timezone`); code that has the
// commune at hand uses that. This default is what the column defaults to (prisma/schema.prisma) and
// what code without a commune falls back to (the process-wide minute tick, formatting in pages that
// span communes). Vietnam has kept +07:00 without daylight saving since 1975.
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';
