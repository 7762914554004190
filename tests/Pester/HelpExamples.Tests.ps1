# Help examples that write files, run exactly as docs/en-US prints them (prompts removed), from a folder that holds
# what they name: ./store (extracted here from the local endpoint) and ./pairs.txt (LFW format).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    Import-Module (Join-Path $PSScriptRoot 'ReportTestData.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WindowsPowerShellSyntax.psm1') -Force


    # LFW names: <Name>/<Name>_000n.jpg (the bytes are PNG crops; the endpoint reads them either way).
    $script:work = Join-Path $TestDrive 'work'
    $faces = Join-Path $script:work 'faces'
    $tiles = @(New-TestImageFiles -Path (Join-Path $TestDrive 'tiles') -Count 6 -Identities 3 | Sort-Object FullName)
    $names = 'Alice', 'Bob', 'Carol'
    for ($i = 0; $i -lt $tiles.Count; $i++) {
        $name = $names[$i % 3]
        $folder = Join-Path $faces $name
        $null = New-Item -ItemType Directory -Path $folder -Force
        Copy-Item -LiteralPath $tiles[$i].FullName -Destination (Join-Path $folder ('{0}_{1:D4}.jpg' -f $name, ([int][Math]::Floor($i / 3) + 1)))
    }
    $endpoint = Start-TestEndpoint
    try {
        $null = Get-ChildItem -LiteralPath $faces -Recurse -File |
            Get-FaceEmbedding -Model eagle -ServerUrl $endpoint.Url -OutputDirectory (Join-Path $script:work 'store') -DatasetRoot $faces
    }
    finally { $endpoint | Stop-TestEndpoint }
    "Alice 1 2`nBob 1 2`nAlice 1 Bob 1`nCarol 2 Bob 2" | Set-Content -LiteralPath (Join-Path $script:work 'pairs.txt') -Encoding UTF8
}

Describe 'Help examples that write files' {
    It 'Compare-FaceEmbedding, "An LFW-style pair list": writes the scored pairs as UTF-8 CSV without a type line' {
        $code = Get-HelpExampleCode 'Compare-FaceEmbedding' 'An LFW-style pair list'
        $code | Should -Match 'Export-Csv ./eagle-pairs.csv -NoTypeInformation -Encoding UTF8'
        Push-Location -LiteralPath $script:work
        try { . ([scriptblock]::Create($code)) } finally { Pop-Location }
        $csv = Join-Path $script:work 'eagle-pairs.csv'
        (Get-Content -LiteralPath $csv -TotalCount 1) | Should -Not -Match '^#TYPE'
        $rows = @(Import-Csv -LiteralPath $csv -Encoding UTF8)
        $rows.Count | Should -Be 4
        @($rows | Where-Object { $_.IsGenuine -eq 'True' }).Count | Should -Be 2
    }

    It 'Measure-FaceVerification, "Save the numbers for a report or a nightly baseline": writes verification.json' {
        $code = Get-HelpExampleCode 'Measure-FaceVerification' 'Save the numbers for a report or a nightly baseline'
        $code | Should -Match 'Set-Content ./verification.json -Encoding UTF8'
        Push-Location -LiteralPath $script:work
        try { . ([scriptblock]::Create($code)) 3>$null } finally { Pop-Location }
        $saved = Get-Content -LiteralPath (Join-Path $script:work 'verification.json') -Raw -Encoding UTF8 | ConvertFrom-Json
        @($saved | Where-Object { $_.Model -eq 'eagle' }).Count | Should -BeGreaterThan 0
    }
}
