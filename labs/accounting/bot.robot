*** Settings ***
Documentation       Month-end consolidation: log into the group finance portal with a real
...                 browser, download every region's export, consolidate, score anomalies,
...                 upload the report workbook and its PDF summary.
...                 Run: uv run python -m robot --variable CASE:path/to/public
...                 --outputdir out labs/accounting/bot.robot
...                 (add --variable SOURCE:folder to read the folder without the portal,
...                 --variable FAULTS:locked=SZ_shenzhen_ledger.csv,page_fail=login to inject faults)
Library             labs.accounting.robot_keywords.AccountingBot
Suite Teardown      Stop Group Finance Portal

*** Variables ***
${CASE}             ${CURDIR}${/}public
${SOURCE}           portal
${FAULTS}           ${EMPTY}
${WORK}             ${OUTPUT DIR}${/}consolidation

*** Tasks ***
Consolidate The Month
    IF    '${SOURCE}' == 'portal'
        ${url}=    Start Group Finance Portal    ${CASE}    ${FAULTS}
        Log    Portal at ${url}
        ${result}=    Run Consolidation Bot    ${WORK}
    ELSE
        ${result}=    Run Consolidation Bot    ${WORK}    ${CASE}    ${FAULTS}
    END
    Log    Report: ${result}[workbook] (${result}[seconds] s), ${result}[receipt]
    FOR    ${problem}    IN    @{result}[exceptions]
        Log    ${problem}    WARN
    END
