export declare function lintWorkflow(text: string, rel: string): Promise<string[]>
export declare function lintComposite(text: string, rel: string): string[]
