export declare const NEEDS: { name: string; packages: string[]; found: () => boolean }[];
export declare function findChromium(): string | null;
export declare function findPython(): string | null;
export declare function findSoffice(): string | null;
export declare function calcBeside(soffice: string): boolean;
export declare function missingMessage(need: 'chromium' | 'python3-openpyxl' | 'libreoffice-calc-nogui'): string;
export declare function ensureTestDeps(log?: (line: string) => void): string[];
export default function setup(): void;
